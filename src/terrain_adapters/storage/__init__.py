"""Built-in storage backends: ``filesystem`` (the default) and ``s3`` (boto3, the ``s3`` extra).

Each module imports its client library only when a storage is built.
"""
