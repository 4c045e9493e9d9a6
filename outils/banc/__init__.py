"""The benchmark (``make bench``): the application's costs at Dijon's size and at national
size, each next to the raw cost of the same work, in a throw-away database."""
