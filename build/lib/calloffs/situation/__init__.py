"""The situation picture (Lagebild) for ministry staff: figures and server-rendered SVG charts."""
