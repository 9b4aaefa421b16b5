-- Each user's language (issue 19): the UI switches to it when they sign in, and the sign-in
-- and lock screens keep the workstation's. No row: the user follows the workstation's
-- language. Two lower-case letters, the name of a UI catalogue (ui/src/lib/i18n); the app
-- accepts only the languages it has a catalogue for, this CHECK is the last guard.
CREATE TABLE user_languages (
    name       TEXT PRIMARY KEY NOT NULL REFERENCES users (name),
    language   TEXT NOT NULL CHECK (length(language) = 2 AND language GLOB '[a-z][a-z]'),
    updated_at TEXT NOT NULL
) STRICT;
