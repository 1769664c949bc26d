"""Tests; a package so test modules can share helpers such as tests.fake_openai."""
