class Counted:
    """A sliceable list of rows whose length the page already knows (from its aggregates), so a
    Paginator over it does not count the rows a second time: `Paginator(Counted(rows, n), 50)`."""

    def __init__(self, rows, count):
        self.rows, self.length = rows, count

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        return self.rows[index]
