use super::{Lexicon, Topic};

pub(crate) const LEXICON: Lexicon = Lexicon {
    threat: Topic {
        titles: &[
            "{actor}针对{country}的{sector}发起新一轮钓鱼攻击",
            "{org}警告{actor}正在利用{cve}漏洞",
            "研究人员将{place}{sector}遭受的攻击归因于{actor}",
            "与{actor}有关的新型恶意软件通过虚假更新传播",
            "{cve}漏洞利用激增，{org}发出警告",
            "勒索软件攻击导致{place}的{sector}业务中断",
        ],
        sentences: &[
            "据{org}称，此次活动背后的组织为{actor}，又名{alias}。",
            "攻击者利用{cve}漏洞获得初始访问权限。",
            "受害者收到带有恶意附件的鱼叉式钓鱼邮件。",
            "研究人员观察到与命令控制服务器{ip}及域名{domain}的通信。",
            "第二阶段载荷从{defanged_url}下载。",
            "该投放器的SHA-256哈希值为{sha256}。",
            "一个MD5为{md5}的早期样本与新加载器存在代码重叠。",
            "攻击者要求受害者向比特币地址{btc}支付赎金。",
            "该活动主要针对{country}{place}的{sector}。",
            "此次入侵使用了ATT&CK技术{technique}和{technique}。",
            "建议管理员尽快修补{cve}，并检查日志中是否存在与{ip}的连接。",
            "{place}官员拒绝就归因问题发表评论。",
            "钓鱼页面托管在{url}。",
            "至少有{n}家机构的网络中发现了该工具。",
        ],
    },
    noise: [
        Topic {
            titles: &[
                "{place}本周末将迎来强降雨",
                "{place}气温将升至{temp}度",
                "气象部门对{place}周边地区发布风暴预警",
            ],
            sentences: &[
                "预报员预计{weekday}气温约为{temp}摄氏度。",
                "建议{place}居民出行预留更多时间。",
                "部分地区降雨量可能达到{n}毫米。",
                "气象部门表示，本周晚些时候天气将有所好转。",
            ],
        },
        Topic {
            titles: &[
                "{team}以{score}击败{team2}",
                "{team}主帅对杯赛决赛充满信心",
                "{place}球迷庆祝{team}绝杀取胜",
            ],
            sentences: &[
                "本场比赛在{place}进行，共有{big}名观众到场。",
                "{team}在下半场打进两球。",
                "下一轮比赛{team}将于{weekday}对阵{team2}。",
                "伤病问题仍然困扰着教练组。",
            ],
        },
        Topic {
            titles: &["{index}上涨{pct}%", "需求担忧拖累油价下跌{pct}%", "{index}震荡，市场关注利率前景"],
            sentences: &[
                "{index}收涨{pct}%，报{big}点。",
                "布伦特原油报每桶{price}美元。",
                "分析人士预计，央行会议前市场波动将持续。",
                "成交量低于月均水平。",
            ],
        },
    ],
    person: Topic {
        titles: &["消息人士称{person}现身{place}", "跨境资金网络报告中出现{person}的名字"],
        sentences: &[
            "据{org}援引的消息人士称，{person}的名字出现在多份跨境转账文件中。",
            "当地媒体报道，{person}近期在{place}与中间人会面。",
            "从一部被查获的手机中恢复的联系人名单中包括{person}。",
        ],
    },
    indicator: Topic {
        titles: &["多起入侵事件中发现相同基础设施", "分析人士发现近期攻击中反复出现的指标"],
        sentences: &[
            "本月多起事件中均出现了与{indicator}的连接。",
            "指标{indicator}至少出现在两家机构的遥测数据中。",
            "建议在网络边界封禁{indicator}。",
        ],
    },
    burst: Topic {
        titles: &["{bplace}多地停电", "{bplace}居民反映移动网络中断", "{bplace}一处物流仓库起火"],
        sentences: &[
            "{bplace}市政府在{clock}表示，抢修人员正在恢复服务。",
            "自{clock}起，{bplace}多个城区停电。",
            "移动运营商证实，自{clock}起{bplace}的通信服务质量下降。",
        ],
    },
    campaign: Topic {
        titles: &["{org}将“{campaign}”行动归因于{cactor}", "{cactor}被指与“{campaign}”行动有关"],
        sentences: &[
            "{org}的研究人员以中等置信度将“{campaign}”行动归因于{cactor}。",
            "“{campaign}”行动使用的基础设施此前曾被{cactor}使用。",
        ],
    },
    chat_threat: &[
        "边界防火墙上又看到连向{ip}的信标",
        "有人在跟踪{actor}吗？{org}刚发布了新报告",
        "请在{clock}前修补{cve}，利用活动在增加",
        "代理上已封禁{domain}",
    ],
    chat_noise: &["这个周末谁值班？我{clock}以后有空", "例会改到{clock}了", "{place}下大雨，我{clock}才能到"],
    sectors: &[
        "能源企业",
        "电信运营商",
        "医疗机构",
        "政府机构",
        "物流企业",
        "金融机构",
        "国防承包商",
        "高校",
    ],
    teams: &["北京国安", "上海海港", "山东泰山", "成都蓉城", "武汉三镇"],
    market_indices: &["上证指数", "恒生指数", "深证成指"],
    weekdays: ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"],
    greetings: &["各位同事：", "大家好："],
    signoffs: &["此致", "谢谢"],
    from_lines: &[],
    update_suffix: "（更新）",
    update_sentences: &["本文已于UTC时间{time}更新，补充了更多细节。"],
    sentence_gap: "",
};
