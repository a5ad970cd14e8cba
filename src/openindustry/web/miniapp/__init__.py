"""Participants' pages (the mini-app inside VK, Telegram, MAX, and the website)."""
