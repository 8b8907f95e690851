//! Maps of areas: outlines, points and shading by value (filled in with the area pages).
