"""The staff's workspace: what spans every subsystem rather than belonging to one. The
dashboard (the admin's home page) and the demo data live here, so that `campaigns` and the
case, news and digest rooms of `tracker` depend on each other only through their records."""
