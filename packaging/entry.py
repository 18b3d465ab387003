"""The frozen bundle's entry point: the same command line (and window) as ``relplan``."""

from relplan.cli import main

if __name__ == "__main__":
    main()
