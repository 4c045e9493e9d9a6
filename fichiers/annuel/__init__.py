"""The yearly cycle of administrators: load a convention year from a file they write (a fixture
with natural keys, JSON or YAML), and prepare next year's draft from this year's convention."""
