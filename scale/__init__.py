"""Generated data at national scale for benchmarks and load tests (bench/): the generator
(`generator.py`) and `manage.py generate_scale`. Above every other app: it fills them all."""
