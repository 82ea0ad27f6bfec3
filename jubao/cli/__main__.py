"""`python -m jubao.cli`."""

import sys

from jubao.cli import main

sys.exit(main())
