package models

import "gorm.io/gorm"

// NamesByID maps ids to one text column (or SQL expression) of a table, in
// one query: the display names of agencies, users and organs in lists.
func NamesByID(q *gorm.DB, table, expr string, ids map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := q.Table(table).Select("id, "+expr+" AS name").Where("id IN ?", list).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
