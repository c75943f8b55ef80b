"""Traditional → simplified characters for matching header and label words only (raw text is kept as
printed). Mirrored pages print the forms in 繁体 (績效指標, 得分, 實際完成值); this table covers the
characters of the 自评表 vocabulary (vocabulary.toml, the 一级/二级 labels) that differ."""
from __future__ import annotations

_PAIRS = (
    "績绩 標标 級级 實实 際际 權权 數数 項项 預预 執执 評评 計计 說说 備备 註注 進进 質质 時时 產产 單单"
    " 資资 總总 額额 財财 撥拨 結结 轉转 滿满 對对 經经 濟济 會会 態态 續续 響响 務务 門门 體体 報报 號号"
    " 達达 準准 則则 細细 辦办 調调 後后 復复 審审 縣县 係系 證证 據据 劃划 價价 決决 規规 範范 護护 專专"
    " 財财 險险 優优 與与 這这 額额 標标 內内 佈布 層层 構构 將将 營营 發发 開开 劃划 歸归 屬属 無无 應应"
    " 際际 點点 設设 備备 養养 醫医 衛卫 農农 業业 環环 態态 齡龄 長长 週周 間间 線线 網网 絡络 車车 輛辆"
    " 壞坏 確确 認认 節节 約约 齊齐 類类 別别 個个 萬万 億亿 區区 鄉乡 鎮镇 縣县 愛爱 觀观 難难 題题 問问"
    " 釋释 義义 細细 舉举 處处 選选 擇择 參参 與与 稱称 號号 狀状 況况 況况 盡尽 於于 標标 滬沪 學学 習习"
)
TRADITIONAL = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})


def simplified(text: str) -> str:
    """The text with the vocabulary's traditional characters replaced by their simplified forms."""
    return text.translate(TRADITIONAL)
