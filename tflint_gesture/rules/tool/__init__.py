"""Rules about the tool itself: files it could not read, parse or afford to analyse."""
