"""What people read and click: words, charts, the retro notebook's views, the classification widget,
``retro check``'s summary and the leadership report."""
