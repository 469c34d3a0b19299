"""Softmax Explorer: watch a linear softmax classifier learn, and see why it moves."""

__version__ = "0.1.0"
APP_ID = "io.github.softmax_explorer.SoftmaxExplorer"
APP_NAME = "Softmax Explorer"
