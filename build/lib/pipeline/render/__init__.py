"""The writers: every view of a run's result (`pipeline.result.Report`) and the outputs.

They depend on the result, never on the run that made it (`pipeline.consolidate`).
"""
