"""notifyhub: the example notification system that contractgate is demonstrated on."""
