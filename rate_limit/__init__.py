"""The token buckets of Amazon's quotas that the addon shares between processes."""
