-- What a manager did about a report of an AI error: looked into it, closed it, and a note of what was done.
ALTER TABLE incidents ADD COLUMN status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'looked_into', 'closed'));
ALTER TABLE incidents ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
