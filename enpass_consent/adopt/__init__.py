"""``adopt``: record the ids of consent that already exists, so the next ``pulumi up`` imports it.

find (``audit.collect``) -> plan (pure: which ids, what ``pulumi up`` changes, what is left alone) ->
stack file edit (ruamel round trip, comments kept) -> atomic write that refuses a file changed meanwhile.
"""
