"""python -m finals_app: the finals-app command."""
import sys

from finals_app.cli import main

sys.exit(main())
