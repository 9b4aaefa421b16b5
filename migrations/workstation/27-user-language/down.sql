DROP TABLE user_languages;
