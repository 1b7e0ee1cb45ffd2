"""``python -m keizer`` runs the command line."""

from keizer.cli import main

main()
