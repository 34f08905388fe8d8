"""The demo compound and meeting that `make run` loads (load_demo). It sits
above every app and nothing imports it."""
