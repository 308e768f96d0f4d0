"""terrain's built-in adapters: platforms and storage backends.

They are plugins like any third-party one, registered through the ``terrain``
entry-point group by :mod:`terrain_adapters.plugin`. Each adapter imports its
client library (tweepy, facebook-sdk, boto3) only when it is used.
"""
