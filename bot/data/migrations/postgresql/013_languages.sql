-- 013: languages. A server may choose the language of its automatic posts (alerts in
-- channels, summaries, deal watch and filings posts); without a choice they follow the
-- server's Discord locale as last seen on an interaction. Direct messages follow the
-- member's own Discord locale, as last seen.
-- PostgreSQL's text of this migration: BIGINT for the Discord user id.
ALTER TABLE guild_settings ADD COLUMN language TEXT CHECK (language IN ('en', 'fr'));
ALTER TABLE guild_settings ADD COLUMN guild_locale TEXT CHECK (length(guild_locale) <= 16);

CREATE TABLE member_languages (
    user_id     BIGINT PRIMARY KEY,
    language    TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    seen_at     TEXT NOT NULL
);
