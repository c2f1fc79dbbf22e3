"""Request quotas (``--quotas``): AWS's published request rates as token buckets in front of
the operations. ``rules.py`` reads the data file (``aws.json`` ships with Overcast),
``limiter.py`` applies it to each request, ``throttle_errors.py`` is each service's answer."""
