package auth

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// principalGORM is Principal as it was written with GORM (two queries): the
// reference for the single plain-SQL query.
func principalGORM(db *models.DB, id int64) (*Principal, error) {
	var u models.User
	if err := db.Read.First(&u, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errBadToken
		}
		return nil, err
	}
	if !u.Active {
		return nil, errBadToken
	}
	var organs []int64
	if err := db.Read.Model(&models.UserOrgan{}).Where("user_id = ?", id).Order("organ_id").Pluck("organ_id", &organs).Error; err != nil {
		return nil, err
	}
	return &Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, OrganIDs: organs}, nil
}

func TestPrincipalMatchesTwoQueryReference(t *testing.T) {
	db := modelstest.Open(t)
	s := NewService(db, []byte("0123456789abcdef0123456789abcdef"), nil)
	var organIDs []int64
	for _, name := range []string{"甲机关", "乙机关", "丙机关"} {
		o := models.Organ{Name: name, ShortName: name, Version: 1}
		if err := db.Write.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		organIDs = append(organIDs, o.ID)
	}
	users := []struct {
		u      models.User
		organs []int64
	}{
		{models.User{Username: "none", Role: RoleAdmin, Active: true}, nil},
		{models.User{Username: "many", DisplayName: "多机关", Role: RoleManager, Active: true}, []int64{organIDs[2], organIDs[0], organIDs[1]}},
		{models.User{Username: "one", Role: RoleOfficer, Active: true}, []int64{organIDs[1]}},
		{models.User{Username: "off", Role: RoleOfficer, Active: false}, []int64{organIDs[0]}},
	}
	ids := []int64{987654} // no such user
	for i := range users {
		if err := db.Write.Create(&users[i].u).Error; err != nil {
			t.Fatal(err)
		}
		if !users[i].u.Active {
			// GORM leaves a false bool to the column default (true).
			if err := db.Write.Model(&users[i].u).Update("active", false).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range users[i].organs {
			if err := db.Write.Create(&models.UserOrgan{UserID: users[i].u.ID, OrganID: o}).Error; err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, users[i].u.ID)
	}
	for _, id := range ids {
		want, wantErr := principalGORM(db, id)
		got, err := s.Principal(context.Background(), id)
		if !errors.Is(err, wantErr) && !(err == nil && wantErr == nil) {
			t.Errorf("user %d: error %v, want %v", id, err, wantErr)
			continue
		}
		if wantErr != nil {
			continue
		}
		if len(want.OrganIDs) == 0 && len(got.OrganIDs) == 0 {
			want.OrganIDs, got.OrganIDs = nil, nil // nil and empty read the same to every caller
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("user %d: %+v, want %+v", id, got, want)
		}
	}
}
