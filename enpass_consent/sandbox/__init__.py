"""``enpass-consent sandbox``: the emulator with demo tenants, a demo project folder and its env file.

``tenants`` picks what the emulator serves, ``folder`` writes (and removes) the demo project,
``guide`` is the text that tells the user what to try, ``run`` ties them to one lifetime.
"""
