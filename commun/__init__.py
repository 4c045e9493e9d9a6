"""What every application uses and none owns: French formats, SVG charts, CSV/xlsx downloads,
optimistic locking, readable history, French number fields, files kept between a preview and
its confirmation, accent-insensitive search. Imports Django and libraries, never our apps."""
