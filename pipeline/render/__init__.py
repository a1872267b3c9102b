"""The writers: every view of a run's result (`pipeline.run.result.Report`) and the outputs.

They depend on the result, never on the run that made it (`pipeline.run.consolidate`).
"""
