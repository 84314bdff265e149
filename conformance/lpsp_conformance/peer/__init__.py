"""Peer conformance: checks a running broadcaster or subscriber over its real
websocket and HTTP endpoints, with the scenarios of ``vectors/peer-*.json``.

Modules: ``codec`` (the C codec over ``lpsp testee``), ``auth`` (§10 signing
and verification), ``model`` (which authorization and counter each message
uses, as data), ``links`` (aiohttp transports), ``engine`` (session state),
``steps`` (the step language), ``peers`` (starting peers by PID), ``plugin``
and ``cli`` (the runner), ``apps`` (the real peers' applications),
``saboteur`` (faulty broadcasters for the self-test), ``fuzz`` (network
fuzzing of a live peer).
"""
