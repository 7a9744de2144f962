-- What an Open311 client sent beyond the case itself: the media_url of a photo and the service
-- attributes (attribute[code]=value), one row per submitted request. Kept apart from
-- hotline_cases so imports and the packs stay as they were; a JSON array of [code, value] pairs.
CREATE TABLE open311_details (
    case_id TEXT PRIMARY KEY,
    media_url TEXT,
    attributes TEXT NOT NULL
);
