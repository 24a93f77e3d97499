"""The rules in force: schema, loading, the shipped 2017-2018 default."""
from finals_app.core.rules.schema import Phase, Rules, Window, load_rules, parse_rules

__all__ = ["Phase", "Rules", "Window", "load_rules", "parse_rules"]
