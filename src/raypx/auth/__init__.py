"""Authentication: Better Auth's protocol on Raypx's auth tables."""
