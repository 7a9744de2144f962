-- Each area's boundary as a GeoJSON geometry (Polygon or MultiPolygon, longitude first), used
-- to place a point in its district, street, community and grid cell; and whether the area is
-- drawn for illustration only (the built-in geography's streets).
ALTER TABLE hotline_areas ADD COLUMN boundary TEXT;
ALTER TABLE hotline_areas ADD COLUMN illustrative INTEGER NOT NULL DEFAULT 0;
