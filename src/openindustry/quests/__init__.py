"""Quests: quizzes, code words, attendance, feedback and referrals that unlock registration."""
