"""`python -m pipeline`: the command line."""

import gc
import sys

# The command line never synthesises test data: keep pandera from importing hypothesis (a
# test-only dependency, about 0.15 s of start-up) when it happens to be installed.
sys.modules.setdefault("hypothesis", None)

from .cli import main  # noqa: E402

code = main()
# Leave everything the run allocated to the OS: skip the collector's last sweep at exit.
gc.freeze()
raise SystemExit(code)
