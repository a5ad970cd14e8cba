"""Открытая промышленность: the platform of the «Открой#Моспром» industrial-tourism program."""

__version__ = "0.1.0"
