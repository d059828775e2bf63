package demo

import (
	"fmt"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// A 人大票决 round for next year in two jurisdictions, so that a newcomer
// sees both ends of it: the first (新建区) has its shortlist on the ballot
// and waits for the deputy's vote; the second collects proposals, one of
// them a resident's awaiting moderation.

type demoCandidate struct{ name, content, unit, investment, reason string }

var demoCandidates = []demoCandidate{
	{"建设社区嵌入式养老服务中心", "在主城区新建社区嵌入式养老服务中心4个，提供日间照料、助餐、助浴服务。", "区民政局", "1200", "老年人口占比持续上升，居家养老服务需求迫切。"},
	{"实施城区排水管网改造", "改造城区老旧排水管网12公里，消除易涝点6处。", "区住建局", "3500", "汛期多处路段积水，群众出行不便。"},
	{"新建城市口袋公园", "利用边角地新建口袋公园8个，增设健身器材和休憩设施。", "区城管执法局", "800", "居民就近休闲健身场所不足。"},
	{"推进中小学食堂改造提升", "改造提升中小学食堂10所，实现“明厨亮灶”全覆盖。", "区教体局", "900", "部分学校食堂设施陈旧，食品安全有隐患。"},
	{"增设新能源汽车公共充电桩", "在公共停车场、小区周边新增公共充电桩300个。", "区发改委", "600", "新能源汽车增长快，充电难问题突出。"},
	{"开展农村饮水安全巩固提升", "改造提升农村供水管网80公里，新建加压泵站3座。", "区水利局", "2800", "部分村组水压不足、水质不稳定。"},
	{"建设“一刻钟便民生活圈”", "建设便民生活圈5个，配齐菜市场、早餐店、维修点等便民业态。", "区商务局", "500", "新建小区周边生活配套不全。"},
	{"推进老旧小区加装电梯", "完成老旧小区加装电梯40部。", "区住建局", "1600", "老旧小区老年住户上下楼难。"},
}

func (l *loader) voteRounds() error {
	if len(l.juris) < 2 {
		return nil
	}
	next := Year + 1
	// The first jurisdiction: shortlist and vote open.
	j := l.juris[0]
	l.at(day(Year, time.November, 20, 9, 0))
	rd, err := l.st.CreateRound(l.ctx, j.supervisor, j.code, next, "")
	if err != nil {
		return fmt.Errorf("票决轮次：%w", err)
	}
	for i, c := range demoCandidates {
		l.at(day(Year, time.November, 21+i%5, 10, i))
		cd, err := l.st.ProposeCandidate(l.ctx, j.supervisor, rd.ID, plan.Candidate{Name: c.name, Content: c.content,
			UnitName: c.unit, Investment: plan.MustDecimal(c.investment).Ptr(), Reason: c.reason})
		if err != nil {
			return fmt.Errorf("候选项目「%s」：%w", c.name, err)
		}
		if _, err := l.st.ModerateCandidate(l.ctx, j.supervisor, cd.ID, store.CandidateShortlist, ""); err != nil {
			return err
		}
	}
	l.at(day(Year, time.November, 28, 9, 0))
	if rd, err = l.st.SetRoundSettings(l.ctx, j.supervisor, rd.ID, store.RoundSettings{Version: rd.Version, MaxChoices: 5, Seats: 5}); err != nil {
		return err
	}
	l.at(day(Year, time.December, 2, 9, 0))
	if _, err := l.st.OpenVoting(l.ctx, j.supervisor, rd.ID, rd.Version); err != nil {
		return err
	}

	// The second: proposing, with a resident's proposal to moderate.
	j = l.juris[1]
	l.at(day(Year, time.December, 1, 9, 0))
	rd, err = l.st.CreateRound(l.ctx, j.supervisor, j.code, next, "")
	if err != nil {
		return err
	}
	for i, c := range demoCandidates[:3] {
		l.at(day(Year, time.December, 2+i, 10, 0))
		if _, err := l.st.ProposeCandidate(l.ctx, j.supervisor, rd.ID, plan.Candidate{Name: c.name, Content: c.content,
			UnitName: c.unit, Investment: plan.MustDecimal(c.investment).Ptr(), Reason: c.reason}); err != nil {
			return err
		}
	}
	l.at(day(Year, time.December, 5, 20, 15))
	_, err = l.st.ProposePublic(l.ctx, rd.ID, plan.Candidate{Name: "增加学校周边上下学时段交通疏导", Content: "在城区小学周边上下学时段增派交警和志愿者，设置临时停车接送点。",
		UnitName: "区公安分局", Reason: "接送孩子时段学校门口拥堵严重，存在安全隐患。"})
	return err
}
