"""Demo data of the «Открой#Моспром» program and its loader."""

from openindustry.demo.loader import DemoSummary, load_demo

__all__ = ["DemoSummary", "load_demo"]
