"""The demo park generator behind ``scripts/make_demo_park.py``, one module per layer family."""
