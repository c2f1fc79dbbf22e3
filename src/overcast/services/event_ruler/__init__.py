"""AWS's event-ruler pattern language, shared by SNS filter policies and EventBridge event
patterns (a library package, no provider).

``compiler.compile_branches(text, dialect)`` reads a pattern into branches, ``matching`` tests a
decoded JSON document against them. Each service brings its ``Dialect`` (how numbers compare,
which operators exist, what null means) and words its own errors around the engine's texts.
"""
