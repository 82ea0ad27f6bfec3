"""The WeChat simulator at /sim/ (demo only): a phone for a citizen and WeChat Work for the
officers, talking to the service through its real callbacks, and showing, as it happens, what
the service sends to WeChat's API."""
