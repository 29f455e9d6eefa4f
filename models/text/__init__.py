"""Text rules shared by the API and the importer: post content HTML, comment HTML and slugs."""
