"""What the tests and the benchmarks both start or build: a free port, a throwaway PostgreSQL server,
hostile uploads. Shipped in the package (like fake_openai) so benchmarks need not import the tests."""
