"""The web app's document library: sign-in, uploads, the trash, live rebuilds, feedback and unanswered questions."""
