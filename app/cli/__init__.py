"""`rag`: the command line (the shell's terminal half; `app/ui/` is the browser half)."""
