CREATE TABLE meta (
    key character varying(64) NOT NULL,
    value bigint NOT NULL
);

CREATE TABLE paper_search (
    num integer NOT NULL,
    search_key bigint NOT NULL,
    doc tsvector NOT NULL
);

CREATE SEQUENCE paper_search_num_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE paper_search_num_seq OWNED BY paper_search.num;

CREATE TABLE paper_undo (
    snapshot_id integer NOT NULL,
    paper_num integer NOT NULL,
    before jsonb
);

CREATE TABLE papers (
    num integer NOT NULL,
    id character varying(128) NOT NULL,
    title text NOT NULL,
    title_key text NOT NULL,
    abstract text NOT NULL,
    arxiv_id character varying(32),
    authors jsonb NOT NULL,
    keywords jsonb NOT NULL,
    links jsonb NOT NULL,
    upvotes integer,
    has_code boolean NOT NULL,
    has_project boolean NOT NULL,
    first_seen timestamp without time zone NOT NULL,
    last_seen timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    best_rank integer NOT NULL,
    appearances integer NOT NULL,
    search_key bigint,
    published timestamp without time zone,
    submitter text,
    last_list_date date,
    ai_summary text,
    thumbnail text,
    github_stars integer,
    comments integer,
    organization text,
    hf_daily_at timestamp without time zone
);

CREATE SEQUENCE papers_num_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE papers_num_seq OWNED BY papers.num;

CREATE TABLE ranks (
    snapshot_id integer NOT NULL,
    paper_num integer NOT NULL,
    rank integer NOT NULL,
    upvotes integer
);

CREATE TABLE snapshots (
    id integer NOT NULL,
    list_date date NOT NULL,
    ingested_at timestamp without time zone NOT NULL,
    source text NOT NULL,
    format character varying(16) NOT NULL,
    sha256 character varying(64) NOT NULL,
    paper_count integer NOT NULL,
    new_count integer NOT NULL
);

CREATE SEQUENCE snapshots_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE snapshots_id_seq OWNED BY snapshots.id;

CREATE TABLE source_state (
    id integer NOT NULL,
    url text NOT NULL,
    etag text,
    last_modified text,
    last_attempt timestamp without time zone,
    last_success timestamp without time zone,
    last_outcome text,
    last_error text,
    last_error_at timestamp without time zone,
    next_attempt timestamp without time zone,
    failures integer NOT NULL,
    holder text,
    last_skipped jsonb,
    last_warnings jsonb
);

ALTER TABLE ONLY paper_search ALTER COLUMN num SET DEFAULT nextval('paper_search_num_seq'::regclass);

ALTER TABLE ONLY papers ALTER COLUMN num SET DEFAULT nextval('papers_num_seq'::regclass);

ALTER TABLE ONLY snapshots ALTER COLUMN id SET DEFAULT nextval('snapshots_id_seq'::regclass);

INSERT INTO meta VALUES ('undo_from', 1);
INSERT INTO meta VALUES ('store_identity', 2768454489666458);
INSERT INTO meta VALUES ('schema_version', 7);
INSERT INTO meta VALUES ('last_snapshot_id', 7);
INSERT INTO meta VALUES ('data_version', 8);
INSERT INTO meta VALUES ('snapshot_count', 6);

INSERT INTO paper_search VALUES (1, 1859865124274174, '''a'':1110B ''achieved'':1106B ''across'':1109B ''algorithm'':1132B ''and'':1120B ''answering'':1122B ''applications'':1114B ''as'':1116B ''at'':1149B ''backpropagation'':1130B ''behind'':1123B ''bp'':1131B ''code'':1148B ''com'':1152B ''de'':1136B ''deep'':1141B ''discovery'':1119B ''drug'':1118B ''facebookresearch'':1153B ''facto'':1137B ''for'':1139B ''forward'':1A ''forwardgnn'':1154B ''github'':1151B ''gnns'':1104B,1127B ''graph'':4A,1101B ''has:code'' ''have'':1105B ''https'':1150B ''is'':1134B ''learning'':2A ''lies'':1128B ''networks'':6A,1103B,1143B ''neural'':5A,1102B,1142B ''nns'':1144B ''of'':3A,1113B,1126B ''our'':1147B ''question'':1121B ''range'':1112B ''recommendation'':1117B ''release'':1146B ''remarkable'':1107B ''standard'':1138B ''success'':1108B,1125B ''such'':1115B ''the'':1124B,1129B,1135B ''training'':1140B ''we'':1145B ''which'':1133B ''wide'':1111B');
INSERT INTO paper_search VALUES (2, 1859865124274173, '''a'':1123B ''across'':1117B ''ai'':1131B ''all'':3A,1130B ''and'':1106B ''attention'':1105B ''composed'':1102B ''design'':1116B ''effectively'':1134B ''feed'':1107B ''ffn'':1121B ''forward'':1108B ''harness'':1135B ''has'':1110B ''integrated'':1127B ''into'':1128B ''is'':2A,1122B ''landscape'':1113B ''metamixer'':1A ''models'':1132B ''nearly'':1129B ''need'':5A ''network'':1109B,1115B ''of'':1103B,1114B ''operator'':1125B ''representations'':1137B ''revolutionized'':1111B ''rich'':1136B ''seamlessly'':1126B ''self'':1104B ''tasks'':1120B ''the'':1112B ''to'':1133B ''transformer'':1101B ''various'':1118B ''versatile'':1124B ''vision'':1119B ''you'':4A');
INSERT INTO paper_search VALUES (4, 1859865124274171, '''2'':1135B ''a'':1106B,1139B ''accelerator'':1113B ''are'':1103B ''as'':1133B,1138B ''clusters'':1114B ''constraints'':1122B ''deployed'':1104B ''diverse'':1120B ''elastic'':5A ''for'':4A ''foundation'':1130B ''from'':1111B ''in'':1105B,1123B ''inference'':6A,1121B ''llama'':1136B ''matformer'':1A ''mobile'':1117B ''models'':1102B,1131B,1142B ''multi'':1112B ''necessitate'':1126B ''nested'':2A ''of'':1109B,1141B,1143B ''palm'':1134B ''phones'':1118B ''practitioners'':1127B ''range'':1108B ''scenarios'':1125B ''series'':1140B ''settings'':1110B ''sizes'':1145B ''standalone'':1116B ''such'':1132B ''the'':1119B ''these'':1124B ''to'':1115B,1128B ''train'':1129B ''transformer'':3A,1101B ''varying'':1144B ''vits'':1137B ''wide'':1107B');
INSERT INTO paper_search VALUES (5, 1859865124274170, '''adaptive'':1A ''and'':1107B ''as'':4A ''attained'':1110B ''attention'':1148B ''broad'':1114B ''challenges'':1139B ''cnns'':1106B ''computational'':1144B ''connected'':1154B ''costs'':1145B ''deployments'':1130B ''devices'':1134B ''due'':1140B ''effective'':1120B ''efficient'':5A,1129B ''especially'':1131B ''filters'':3A ''frequency'':2A ''from'':1137B ''fully'':1153B ''fusion'':1122B ''global'':6A,1125B ''have'':1109B ''heavy'':1143B ''however'':1127B ''in'':1113B,1123B ''information'':1121B ''kernel'':1105B ''kernels'':1151B ''large'':1104B,1150B ''layers'':1155B ''mechanisms'':1149B ''mixers'':8A ''mlps'':1108B ''mobile'':1133B ''noteworthy'':1138B ''of'':1146B ''on'':1132B ''or'':1152B ''recent'':1101B ''remarkable'':1111B ''scope'':1126B ''self'':1147B ''still'':1135B ''successes'':1112B ''suffer'':1136B ''tasks'':1116B ''thanks'':1117B ''the'':1124B,1142B ''their'':1119B,1128B ''to'':1118B,1141B ''token'':7A ''transformers'':1103B ''vision'':1102B,1115B');
INSERT INTO paper_search VALUES (8, 1860046318206967, '''01'':7202C ''1'':6A,1106B,12402 ''a'':1A ''ada'':7203C ''arxiv:2603.10001'' ''author'':7201C ''example'':7204C ''for'':1111B ''has:code'' ''is'':1108B ''it'':1107B ''made'':2A,1109B ''number'':5A,1105B ''on'':7A ''operator'':1104B ''operators'':9A ''paper'':4A ''sparse'':8A,1103B ''study'':1102B ''tests'':1114B ''the'':1112B ''topic'':12401 ''up'':3A,1110B ''upgrade'':1113B ''we'':1101B');
INSERT INTO paper_search VALUES (3, 1859865124274172, '''02'':7202C ''2'':12402 ''ada'':7203C ''analysis'':1102B ''are'':1122B ''arxiv:2603.09902'' ''as'':1115B ''author'':7201C ''basis'':1130B ''correlations'':1154B ''deep'':1137B ''descriptions'':1117B ''designed'':1140B ''dimensionality'':1113B ''domain'':8A,1147B,1160B ''effective'':1108B ''efficient'':3A,1149B ''example'':7204C ''fdms'':1162B ''few'':1126B ''for'':1110B,1148B ''frequency'':7A,1146B,1159B ''functions'':1131B ''harness'':1142B ''in'':6A,1132B,1145B,1155B ''information'':1111B ''learning'':5A,1150B ''long'':1152B ''models'':1161B ''most'':1107B ''naturally'':1119B ''networks'':1139B ''neural'':1138B ''obtained'':1124B ''occurring'':1120B ''of'':1105B,1118B,1128B,1151B ''often'':1123B ''once'':2A ''one'':1104B ''operator'':4A ''or'':1157B ''paradigms'':1109B ''periodic'':1129B ''preserving'':1112B ''provides'':1103B ''range'':1153B ''reduction'':1114B ''signals'':1121B ''simple'':1116B ''space'':1156B ''spectral'':1101B ''structure'':1144B ''study'':1136B ''terms'':1127B ''the'':1106B,1143B ''this'':1133B ''time'':1158B ''to'':1141B ''topic'':12401 ''transform'':1A ''via'':1125B ''we'':1135B ''work'':1134B');
INSERT INTO paper_search VALUES (9, 1860046318206966, '''02'':7202C ''2'':6A,1106B,12402 ''a'':1A ''ada'':7203C ''arxiv:2603.10002'' ''author'':7201C ''example'':7204C ''for'':1111B ''has:project'' ''is'':1108B ''it'':1107B ''made'':2A,1109B ''number'':5A,1105B ''on'':7A ''operator'':1104B ''operators'':9A ''paper'':4A ''sparse'':8A,1103B ''study'':1102B ''tests'':1114B ''the'':1112B ''topic'':12401 ''up'':3A,1110B ''upgrade'':1113B ''we'':1101B');
INSERT INTO paper_search VALUES (6, 1859955721240569, '''05'':7202C ''5'':12402 ''accuracy'':1138B ''accurate'':6A ''achieve'':1135B ''ada'':7203C ''advancements'':1102B ''always'':1134B ''and'':1131B,1143B ''approximating'':1113B ''arxiv:2603.09905'' ''author'':7201C ''considerable'':1128B ''desired'':1137B ''differential'':1119B ''disciplines'':1145B ''engineering'':1144B ''entail'':1127B ''equations'':1120B ''example'':7204C ''expenses'':1130B ''fine'':3A ''flows'':12A ''for'':10A ''have'':1108B ''however'':1122B ''in'':1103B,1112B,1140B ''many'':1141B ''may'':1132B ''networks'':1107B,1125B ''neural'':8A,1106B,1124B ''not'':1133B ''of'':5A,1116B ''often'':1126B ''operator'':9A,1104B ''partial'':1118B ''pdes'':1121B ''promising'':1110B ''recent'':1101B ''refiner'':2A ''required'':1139B ''results'':1111B ''scientific'':1142B ''shown'':1109B ''solutions'':1115B ''spatiotemporal'':7A,1117B ''spectral'':1A ''the'':1114B,1136B ''these'':1123B ''topic'':12401 ''training'':1129B ''tuning'':4A ''turbulent'':11A ''type'':1105B');
INSERT INTO paper_search VALUES (10, 1883329738571765, '''03'':7202C ''3'':6A,1106B,12402 ''a'':1A ''ada'':7203C ''arxiv:2603.10003'' ''author'':7201C ''example'':7204C ''for'':1111B ''is'':1108B ''it'':1107B ''made'':2A,1109B ''number'':5A,1105B ''on'':7A ''operator'':1104B ''operators'':9A ''paper'':4A ''sparse'':8A,1103B ''study'':1102B ''tests'':1114B ''the'':1112B ''topic'':12401 ''up'':3A,1110B ''upgrade'':1113B ''we'':1101B');
INSERT INTO paper_search VALUES (11, 1883329738571764, '''04'':7202C ''4'':6A,1106B,12402 ''a'':1A ''ada'':7203C ''arxiv:2603.10004'' ''author'':7201C ''example'':7204C ''for'':1111B ''is'':1108B ''it'':1107B ''made'':2A,1109B ''number'':5A,1105B ''on'':7A ''operator'':1104B ''operators'':9A ''paper'':4A ''sparse'':8A,1103B ''study'':1102B ''tests'':1114B ''the'':1112B ''topic'':12401 ''up'':3A,1110B ''upgrade'':1113B ''we'':1101B');
INSERT INTO paper_search VALUES (7, 1859955721240568, '''07'':7202C ''7'':12402 ''ada'':7203C ''and'':1121B,1131B,1136B ''are'':1138B ''arxiv:2603.09907'' ''at'':1140B ''attention'':7A ''author'':7201C ''available'':1139B ''by'':4A ''canonical'':1117B ''central'':1105B ''code'':1135B ''com'':1143B ''effective'':1112B ''erf'':1115B ''example'':7204C ''field'':1114B,1132B ''for'':8A ''github'':1142B ''hao'':1145B ''has:code'' ''https'':1141B ''in'':1126B ''inactivation'':1133B ''inadequacy'':1130B ''is'':1104B ''learning'':1103B,1127B ''models'':1137B ''multi'':1A,1101B,1118B ''of'':1116B ''out'':1123B ''point'':1122B ''receptive'':1113B ''representations'':3A,1120B ''risks'':1125B ''scale'':2A,1102B,1119B,1129B ''segmentation'':10A,1108B ''semantic'':9A,1107B ''the'':1111B,1134B ''them'':1128B ''tian'':1146B ''to'':1106B ''topic'':12401 ''two'':1124B ''varying'':5A ''visualize'':1110B ''vw'':1147B ''we'':1109B ''window'':6A ''yan'':1144B');
INSERT INTO paper_search VALUES (12, 1859230945509363, '''a'':1108B,1135B ''adopting'':1123B ''aims'':1139B ''approach'':1137B ''architectures'':1147B ''attention'':4A,1120B,1125B,1129B,1151B ''based'':1146B ''by'':1122B,1148B ''computational'':1116B ''contrast'':1132B ''cost'':1117B ''cross'':3A ''currently'':1101B ''densifying'':1149B ''designing'':1107B ''different'':1136B ''efficient'':1110B ''fcaformer'':1A ''forward'':2A ''hybrid'':6A ''improve'':1141B ''in'':5A,1106B,1131B ''is'':1113B ''line'':1105B ''local'':1128B ''main'':1103B ''modules'':1121B ''more'':1109B ''of'':1118B,1144B ''one'':1102B ''or'':1126B ''pattern'':1152B ''performance'':1143B ''propose'':1134B ''reducing'':1114B ''research'':1104B ''self'':1119B ''sparse'':1124B ''that'':1138B ''the'':1115B,1142B,1150B ''to'':1140B ''transformer'':8A,1112B,1145B ''using'':1127B ''vision'':7A,1111B ''we'':1133B ''windows'':1130B');
INSERT INTO paper_search VALUES (13, 1860136915173362, '''05'':7202C ''5'':6A,1106B,12402 ''a'':1A ''ada'':7203C ''arxiv:2603.10005'' ''author'':7201C ''example'':7204C ''for'':1111B ''is'':1108B ''it'':1107B ''made'':2A,1109B ''number'':5A,1105B ''on'':7A ''operator'':1104B ''operators'':9A ''paper'':4A ''sparse'':8A,1103B ''study'':1102B ''tests'':1114B ''the'':1112B ''topic'':12401 ''up'':3A,1110B ''upgrade'':1113B ''we'':1101B');

INSERT INTO paper_undo VALUES (1, 1, 'null');
INSERT INTO paper_undo VALUES (1, 2, 'null');
INSERT INTO paper_undo VALUES (1, 3, 'null');
INSERT INTO paper_undo VALUES (1, 4, 'null');
INSERT INTO paper_undo VALUES (1, 5, 'null');
INSERT INTO paper_undo VALUES (2, 3, '{"id": "transform-once-efficient-operator-learning-in-frequency-domain", "links": {"code": [], "other": [], "project": []}, "title": "Transform Once: Efficient Operator Learning in Frequency Domain", "authors": [], "upvotes": null, "abstract": "Spectral analysis provides one of the most effective paradigms for information-preserving dimensionality reduction, as simple descriptions of naturally occurring signals are often obtained via few terms of periodic basis functions. In this work, we study deep neural networks designed to harness the structure in frequency domain for efficient learning of long-range correlations in space or time: frequency-domain models (FDMs).", "arxiv_id": null, "comments": null, "has_code": false, "keywords": [], "best_rank": 3, "last_seen": "2026-12-01T16:03:19.042820", "published": null, "submitter": null, "thumbnail": null, "title_key": "transform once efficient operator learning in frequency domain", "ai_summary": null, "first_seen": "2026-03-17T00:00:00", "search_key": 1859865124274172, "updated_at": "2026-03-17T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-17"}');
INSERT INTO paper_undo VALUES (2, 6, 'null');
INSERT INTO paper_undo VALUES (2, 1, '{"id": "forward-learning-of-graph-neural-networks", "links": {"code": ["https://github.com/facebookresearch/forwardgnn"], "other": [], "project": []}, "title": "Forward Learning of Graph Neural Networks", "authors": [], "upvotes": null, "abstract": "Graph neural networks (GNNs) have achieved remarkable success across a wide range of applications, such as recommendation, drug discovery, and question answering. Behind the success of GNNs lies the backpropagation (BP) algorithm, which is the de facto standard for training deep neural networks (NNs). We release our code at https://github.com/facebookresearch/forwardgnn.", "arxiv_id": null, "comments": null, "has_code": true, "keywords": [], "best_rank": 1, "last_seen": "2026-12-01T16:03:19.042820", "published": null, "submitter": null, "thumbnail": null, "title_key": "forward learning of graph neural networks", "ai_summary": null, "first_seen": "2026-03-17T00:00:00", "search_key": 1859865124274174, "updated_at": "2026-03-17T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-17"}');
INSERT INTO paper_undo VALUES (2, 7, 'null');
INSERT INTO paper_undo VALUES (3, 8, 'null');
INSERT INTO paper_undo VALUES (3, 3, '{"id": "transform-once-efficient-operator-learning-in-frequency-domain", "links": {"code": [], "other": [], "project": []}, "title": "Transform Once: Efficient Operator Learning in Frequency Domain", "authors": [], "upvotes": null, "abstract": "Spectral analysis provides one of the most effective paradigms for information-preserving dimensionality reduction, as simple descriptions of naturally occurring signals are often obtained via few terms of periodic basis functions. In this work, we study deep neural networks designed to harness the structure in frequency domain for efficient learning of long-range correlations in space or time: frequency-domain models (FDMs).", "arxiv_id": null, "comments": null, "has_code": false, "keywords": [], "best_rank": 1, "last_seen": "2026-12-01T16:03:19.530384", "published": null, "submitter": null, "thumbnail": null, "title_key": "transform once efficient operator learning in frequency domain", "ai_summary": null, "first_seen": "2026-03-17T00:00:00", "search_key": 1859865124274172, "updated_at": "2026-03-17T00:00:00", "appearances": 2, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-18"}');
INSERT INTO paper_undo VALUES (3, 9, 'null');
INSERT INTO paper_undo VALUES (3, 6, '{"id": "spectral-refiner-fine-tuning-of-accurate-spatiotemporal-neural-operator-for", "links": {"code": [], "other": [], "project": []}, "title": "Spectral-Refiner: Fine-Tuning of Accurate Spatiotemporal Neural Operator for Turbulent Flows", "authors": [], "upvotes": null, "abstract": "Recent advancements in operator-type neural networks have shown promising results in approximating the solutions of spatiotemporal Partial Differential Equations (PDEs). However, these neural networks often entail considerable training expenses, and may not always achieve the desired accuracy required in many scientific and engineering disciplines.", "arxiv_id": null, "comments": null, "has_code": false, "keywords": [], "best_rank": 2, "last_seen": "2026-12-01T16:03:19.530384", "published": null, "submitter": null, "thumbnail": null, "title_key": "spectral refiner fine tuning of accurate spatiotemporal neural operator for turbulent flows", "ai_summary": null, "first_seen": "2026-03-18T00:00:00", "search_key": 1859955721240569, "updated_at": "2026-03-18T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-18"}');
INSERT INTO paper_undo VALUES (4, 9, '{"id": "2603.10002", "links": {"code": [], "other": [], "project": ["https://example.github.io/sparse-two"]}, "title": "A Made-Up Paper Number 2 on Sparse Operators", "authors": ["Author 02", "Ada Example"], "upvotes": 12, "abstract": "We study sparse operator number 2. It is made up for the upgrade tests.", "arxiv_id": "2603.10002", "comments": 1, "has_code": false, "keywords": ["topic 2"], "best_rank": 3, "last_seen": "2026-12-01T16:03:20.022988", "published": "2026-02-27T15:00:00", "submitter": null, "thumbnail": null, "title_key": "a made up paper number 2 on sparse operators", "ai_summary": null, "first_seen": "2026-03-19T00:00:00", "search_key": 1860046318206966, "updated_at": "2026-03-19T00:00:00", "appearances": 1, "has_project": true, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-19"}');
INSERT INTO paper_undo VALUES (4, 10, 'null');
INSERT INTO paper_undo VALUES (4, 8, '{"id": "2603.10001", "links": {"code": ["https://github.com/example/sparse-one"], "other": [], "project": []}, "title": "A Made-Up Paper Number 1 on Sparse Operators", "authors": ["Author 01", "Ada Example"], "upvotes": 40, "abstract": "We study sparse operator number 1. It is made up for the upgrade tests.", "arxiv_id": "2603.10001", "comments": 1, "has_code": true, "keywords": ["topic 1"], "best_rank": 1, "last_seen": "2026-12-01T16:03:20.022988", "published": "2026-02-27T15:00:00", "submitter": null, "thumbnail": null, "title_key": "a made up paper number 1 on sparse operators", "ai_summary": null, "first_seen": "2026-03-19T00:00:00", "search_key": 1860046318206967, "updated_at": "2026-03-19T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-19"}');
INSERT INTO paper_undo VALUES (4, 11, 'null');
INSERT INTO paper_undo VALUES (5, 2, '{"id": "metamixer-is-all-you-need", "links": {"code": [], "other": [], "project": []}, "title": "MetaMixer Is All You Need", "authors": [], "upvotes": null, "abstract": "Transformer, composed of self-attention and Feed-Forward Network, has revolutionized the landscape of network design across various vision tasks. FFN is a versatile operator seamlessly integrated into nearly all AI models to effectively harness rich representations.", "arxiv_id": null, "comments": null, "has_code": false, "keywords": [], "best_rank": 2, "last_seen": "2026-12-01T16:03:19.042820", "published": null, "submitter": null, "thumbnail": null, "title_key": "metamixer is all you need", "ai_summary": null, "first_seen": "2026-03-17T00:00:00", "search_key": 1859865124274173, "updated_at": "2026-03-17T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-17"}');
INSERT INTO paper_undo VALUES (5, 12, 'null');
INSERT INTO paper_undo VALUES (5, 10, '{"id": "2603.10003", "links": {"code": [], "other": [], "project": []}, "title": "A Made-Up Paper Number 3 on Sparse Operators", "authors": ["Author 03", "Ada Example"], "upvotes": 19, "abstract": "We study sparse operator number 3. It is made up for the upgrade tests.", "arxiv_id": "2603.10003", "comments": 1, "has_code": false, "keywords": ["topic 3"], "best_rank": 2, "last_seen": "2026-12-01T16:03:20.507965", "published": "2026-02-27T15:00:00", "submitter": null, "thumbnail": null, "title_key": "a made up paper number 3 on sparse operators", "ai_summary": null, "first_seen": "2026-12-01T00:00:00", "search_key": 1883329738571765, "updated_at": "2026-12-01T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-12-01"}');
INSERT INTO paper_undo VALUES (6, 11, '{"id": "2603.10004", "links": {"code": [], "other": [], "project": []}, "title": "A Made-Up Paper Number 4 on Sparse Operators", "authors": ["Author 04", "Ada Example"], "upvotes": 3, "abstract": "We study sparse operator number 4. It is made up for the upgrade tests.", "arxiv_id": "2603.10004", "comments": 1, "has_code": false, "keywords": ["topic 4"], "best_rank": 4, "last_seen": "2026-12-01T16:03:20.507965", "published": "2026-02-27T15:00:00", "submitter": null, "thumbnail": null, "title_key": "a made up paper number 4 on sparse operators", "ai_summary": null, "first_seen": "2026-12-01T00:00:00", "search_key": 1883329738571764, "updated_at": "2026-12-01T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-12-01"}');
INSERT INTO paper_undo VALUES (6, 7, '{"id": "multi-scale-representations-by-varying-window-attention-for-semantic", "links": {"code": ["https://github.com/yan-hao-tian/vw"], "other": [], "project": []}, "title": "Multi-Scale Representations by Varying Window Attention for Semantic Segmentation", "authors": [], "upvotes": null, "abstract": "Multi-scale learning is central to semantic segmentation. We visualize the effective receptive field (ERF) of canonical multi-scale representations and point out two risks in learning them: scale inadequacy and field inactivation. The code and models are available at https://github.com/yan-hao-tian/vw", "arxiv_id": null, "comments": null, "has_code": true, "keywords": [], "best_rank": 4, "last_seen": "2026-12-01T16:03:19.530384", "published": null, "submitter": null, "thumbnail": null, "title_key": "multi scale representations by varying window attention for semantic segmentation", "ai_summary": null, "first_seen": "2026-03-18T00:00:00", "search_key": 1859955721240568, "updated_at": "2026-03-18T00:00:00", "appearances": 1, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-03-18"}');
INSERT INTO paper_undo VALUES (6, 13, 'null');
INSERT INTO paper_undo VALUES (6, 8, '{"id": "2603.10001", "links": {"code": ["https://github.com/example/sparse-one"], "other": [], "project": []}, "title": "A Made-Up Paper Number 1 on Sparse Operators", "authors": ["Author 01", "Ada Example"], "upvotes": 44, "abstract": "We study sparse operator number 1. It is made up for the upgrade tests.", "arxiv_id": "2603.10001", "comments": 1, "has_code": true, "keywords": ["topic 1"], "best_rank": 1, "last_seen": "2026-12-01T16:03:20.507965", "published": "2026-02-27T15:00:00", "submitter": null, "thumbnail": null, "title_key": "a made up paper number 1 on sparse operators", "ai_summary": null, "first_seen": "2026-03-19T00:00:00", "search_key": 1860046318206967, "updated_at": "2026-03-19T00:00:00", "appearances": 2, "has_project": false, "hf_daily_at": null, "github_stars": null, "organization": null, "last_list_date": "2026-12-01"}');

INSERT INTO papers VALUES (4, 'matformer-nested-transformer-for-elastic-inference', 'MatFormer: Nested Transformer for Elastic Inference', 'matformer nested transformer for elastic inference', 'Transformer models are deployed in a wide range of settings, from multi-accelerator clusters to standalone mobile phones. The diverse inference constraints in these scenarios necessitate practitioners to train foundation models such as PaLM 2, Llama, & ViTs as a series of models of varying sizes.', NULL, '[]', '[]', '{"code": [], "other": [], "project": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-12-01 16:03:19.04282', '2026-03-17 00:00:00', 4, 1, 1859865124274171, NULL, NULL, '2026-03-17', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO papers VALUES (5, 'adaptive-frequency-filters-as-efficient-global-token-mixers', 'Adaptive Frequency Filters As Efficient Global Token Mixers', 'adaptive frequency filters as efficient global token mixers', 'Recent vision transformers, large-kernel CNNs and MLPs have attained remarkable successes in broad vision tasks thanks to their effective information fusion in the global scope. However, their efficient deployments, especially on mobile devices, still suffer from noteworthy challenges due to the heavy computational costs of self-attention mechanisms, large kernels, or fully connected layers.', NULL, '[]', '[]', '{"code": [], "other": [], "project": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-12-01 16:03:19.04282', '2026-03-17 00:00:00', 5, 1, 1859865124274170, NULL, NULL, '2026-03-17', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO papers VALUES (1, 'forward-learning-of-graph-neural-networks', 'Forward Learning of Graph Neural Networks', 'forward learning of graph neural networks', 'Graph neural networks (GNNs) have achieved remarkable success across a wide range of applications, such as recommendation, drug discovery, and question answering. Behind the success of GNNs lies the backpropagation (BP) algorithm, which is the de facto standard for training deep neural networks (NNs). We release our code at https://github.com/facebookresearch/forwardgnn.', NULL, '[]', '[]', '{"code": ["https://github.com/facebookresearch/forwardgnn"], "other": [], "project": []}', NULL, true, false, '2026-03-17 00:00:00', '2026-12-01 16:03:19.530384', '2026-03-17 00:00:00', 1, 2, 1859865124274174, NULL, NULL, '2026-03-18', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO papers VALUES (3, 'transform-once-efficient-operator-learning-in-frequency-domain', 'Transform Once: Efficient Operator Learning in Frequency Domain', 'transform once efficient operator learning in frequency domain', 'Spectral analysis provides one of the most effective paradigms for information-preserving dimensionality reduction, as simple descriptions of naturally occurring signals are often obtained via few terms of periodic basis functions. In this work, we study deep neural networks designed to harness the structure in frequency domain for efficient learning of long-range correlations in space or time: frequency-domain models (FDMs).', '2603.09902', '["Author 02", "Ada Example"]', '["topic 2"]', '{"code": [], "other": [], "project": []}', 31, false, false, '2026-03-17 00:00:00', '2026-12-01 16:03:20.022988', '2026-12-01 16:03:20.022988', 1, 3, 1859865124274172, '2026-02-27 15:00:00', NULL, '2026-03-19', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (9, '2603.10002', 'A Made-Up Paper Number 2 on Sparse Operators', 'a made up paper number 2 on sparse operators', 'We study sparse operator number 2. It is made up for the upgrade tests.', '2603.10002', '["Author 02", "Ada Example"]', '["topic 2"]', '{"code": [], "other": [], "project": ["https://example.github.io/sparse-two"]}', 25, false, true, '2026-03-19 00:00:00', '2026-12-01 16:03:20.507965', '2026-03-19 00:00:00', 1, 2, 1860046318206966, '2026-02-27 15:00:00', NULL, '2026-12-01', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (2, 'metamixer-is-all-you-need', 'MetaMixer Is All You Need', 'metamixer is all you need', 'Transformer, composed of self-attention and Feed-Forward Network, has revolutionized the landscape of network design across various vision tasks. FFN is a versatile operator seamlessly integrated into nearly all AI models to effectively harness rich representations.', NULL, '[]', '[]', '{"code": [], "other": [], "project": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-12-01 16:03:20.934516', '2026-03-17 00:00:00', 1, 2, 1859865124274173, NULL, NULL, '2026-03-10', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO papers VALUES (7, 'multi-scale-representations-by-varying-window-attention-for-semantic', 'Multi-Scale Representations by Varying Window Attention for Semantic Segmentation', 'multi scale representations by varying window attention for semantic segmentation', 'Multi-scale learning is central to semantic segmentation. We visualize the effective receptive field (ERF) of canonical multi-scale representations and point out two risks in learning them: scale inadequacy and field inactivation. The code and models are available at https://github.com/yan-hao-tian/vw', '2603.09907', '["Author 07", "Ada Example"]', '["topic 7"]', '{"code": ["https://github.com/yan-hao-tian/vw"], "other": [], "project": []}', 11, true, false, '2026-03-18 00:00:00', '2026-12-01 16:03:21.366334', '2026-12-01 16:03:21.366334', 2, 2, 1859955721240568, '2026-02-27 15:00:00', NULL, '2026-03-20', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (8, '2603.10001', 'A Made-Up Paper Number 1 on Sparse Operators', 'a made up paper number 1 on sparse operators', 'We study sparse operator number 1. It is made up for the upgrade tests.', '2603.10001', '["Author 01", "Ada Example"]', '["topic 1"]', '{"code": ["https://github.com/example/sparse-one"], "other": [], "project": []}', 46, true, false, '2026-03-19 00:00:00', '2026-12-01 16:03:21.366334', '2026-03-19 00:00:00', 1, 3, 1860046318206967, '2026-02-27 15:00:00', NULL, '2026-03-20', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (6, 'spectral-refiner-fine-tuning-of-accurate-spatiotemporal-neural-operator-for', 'Spectral-Refiner: Fine-Tuning of Accurate Spatiotemporal Neural Operator for Turbulent Flows', 'spectral refiner fine tuning of accurate spatiotemporal neural operator for turbulent flows', 'Recent advancements in operator-type neural networks have shown promising results in approximating the solutions of spatiotemporal Partial Differential Equations (PDEs). However, these neural networks often entail considerable training expenses, and may not always achieve the desired accuracy required in many scientific and engineering disciplines.', '2603.09905', '["Author 05", "Ada Example"]', '["topic 5"]', '{"code": [], "other": [], "project": []}', 7, false, false, '2026-03-18 00:00:00', '2026-12-01 16:03:20.022988', '2026-12-01 16:03:20.022988', 2, 2, 1859955721240569, '2026-02-27 15:00:00', NULL, '2026-03-19', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (10, '2603.10003', 'A Made-Up Paper Number 3 on Sparse Operators', 'a made up paper number 3 on sparse operators', 'We study sparse operator number 3. It is made up for the upgrade tests.', '2603.10003', '["Author 03", "Ada Example"]', '["topic 3"]', '{"code": [], "other": [], "project": []}', 19, false, false, '2026-12-01 00:00:00', '2026-12-01 16:03:20.934516', '2026-12-01 00:00:00', 2, 2, 1883329738571765, '2026-02-27 15:00:00', NULL, '2026-03-10', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (11, '2603.10004', 'A Made-Up Paper Number 4 on Sparse Operators', 'a made up paper number 4 on sparse operators', 'We study sparse operator number 4. It is made up for the upgrade tests.', '2603.10004', '["Author 04", "Ada Example"]', '["topic 4"]', '{"code": [], "other": [], "project": []}', 30, false, false, '2026-12-01 00:00:00', '2026-12-01 16:03:21.366334', '2026-12-01 00:00:00', 1, 2, 1883329738571764, '2026-02-27 15:00:00', NULL, '2026-03-20', NULL, NULL, NULL, 1, NULL, NULL);
INSERT INTO papers VALUES (12, 'fcaformer-forward-cross-attention-in-hybrid-vision-transformer', 'Fcaformer: Forward Cross Attention in Hybrid Vision Transformer', 'fcaformer forward cross attention in hybrid vision transformer', 'Currently, one main research line in designing a more efficient vision transformer is reducing the computational cost of self attention modules by adopting sparse attention or using local attention windows. In contrast, we propose a different approach that aims to improve the performance of transformer-based architectures by densifying the attention pattern.', NULL, '[]', '[]', '{"code": [], "other": [], "project": []}', NULL, false, false, '2026-03-10 00:00:00', '2026-12-01 16:03:20.934516', '2026-03-10 00:00:00', 2, 1, 1859230945509363, NULL, NULL, '2026-03-10', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO papers VALUES (13, '2603.10005', 'A Made-Up Paper Number 5 on Sparse Operators', 'a made up paper number 5 on sparse operators', 'We study sparse operator number 5. It is made up for the upgrade tests.', '2603.10005', '["Author 05", "Ada Example"]', '["topic 5"]', '{"code": [], "other": [], "project": []}', 9, false, false, '2026-03-20 00:00:00', '2026-12-01 16:03:21.366334', '2026-03-20 00:00:00', 3, 1, 1860136915173362, '2026-02-27 15:00:00', NULL, '2026-03-20', NULL, NULL, NULL, 1, NULL, NULL);

INSERT INTO ranks VALUES (1, 1, 1, NULL);
INSERT INTO ranks VALUES (1, 2, 2, NULL);
INSERT INTO ranks VALUES (1, 3, 3, NULL);
INSERT INTO ranks VALUES (1, 4, 4, NULL);
INSERT INTO ranks VALUES (1, 5, 5, NULL);
INSERT INTO ranks VALUES (2, 3, 1, NULL);
INSERT INTO ranks VALUES (2, 6, 2, NULL);
INSERT INTO ranks VALUES (2, 1, 3, NULL);
INSERT INTO ranks VALUES (2, 7, 4, NULL);
INSERT INTO ranks VALUES (3, 8, 1, 40);
INSERT INTO ranks VALUES (3, 3, 2, 31);
INSERT INTO ranks VALUES (3, 9, 3, 12);
INSERT INTO ranks VALUES (3, 6, 4, 7);
INSERT INTO ranks VALUES (4, 9, 1, 25);
INSERT INTO ranks VALUES (4, 10, 2, 19);
INSERT INTO ranks VALUES (4, 8, 3, 44);
INSERT INTO ranks VALUES (4, 11, 4, 3);
INSERT INTO ranks VALUES (5, 2, 1, NULL);
INSERT INTO ranks VALUES (5, 12, 2, NULL);
INSERT INTO ranks VALUES (5, 10, 3, NULL);
INSERT INTO ranks VALUES (6, 11, 1, 30);
INSERT INTO ranks VALUES (6, 7, 2, 11);
INSERT INTO ranks VALUES (6, 13, 3, 9);
INSERT INTO ranks VALUES (6, 8, 4, 46);

INSERT INTO snapshots VALUES (1, '2026-03-17', '2026-12-01 16:03:19.04282', 'capture-0317.txt', 'text', 'a460d610041227c50fe16c0eadfa8b3a73d6ece267b558f5bcedf528f66bb2cb', 5, 5);
INSERT INTO snapshots VALUES (2, '2026-03-18', '2026-12-01 16:03:19.530384', 'capture-0318.txt', 'text', '69b0525d83603c3b75118b3fa78b276cf1ab01084d56905b07bed14dc51380d8', 4, 2);
INSERT INTO snapshots VALUES (3, '2026-03-19', '2026-12-01 16:03:20.022988', 'hf-0319.json', 'hf-json', '1188d60df73e37bb2fb27081967c53154d98ee0f12b280fc92913f508bd35a11', 4, 2);
INSERT INTO snapshots VALUES (4, '2026-12-01', '2026-12-01 16:03:20.507965', 'hf-undated.json', 'hf-json', '444a389c6b78c8194fe404171a12a45088af1aed9738d275bd9a8c8610b2f6d0', 4, 2);
INSERT INTO snapshots VALUES (5, '2026-03-10', '2026-12-01 16:03:20.934516', 'capture-0310.txt', 'text', '2e7ba0a656c90b382e5cdbe0ad953219250bb06b7452f0f43976115ef19272ad', 3, 1);
INSERT INTO snapshots VALUES (6, '2026-03-20', '2026-12-01 16:03:21.366334', 'hf-0320.json', 'hf-json', '4fe62d2cac3003234d13c10bb69804514aa4739d19d3f87c69db46e798e4651d', 4, 1);

SELECT pg_catalog.setval('paper_search_num_seq', 1, false);

SELECT pg_catalog.setval('papers_num_seq', 14, false);

SELECT pg_catalog.setval('snapshots_id_seq', 1, false);

ALTER TABLE ONLY meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);

ALTER TABLE ONLY paper_search
    ADD CONSTRAINT paper_search_pkey PRIMARY KEY (num);

ALTER TABLE ONLY paper_undo
    ADD CONSTRAINT paper_undo_pkey PRIMARY KEY (snapshot_id, paper_num);

ALTER TABLE ONLY papers
    ADD CONSTRAINT papers_arxiv_id_key UNIQUE (arxiv_id);

ALTER TABLE ONLY papers
    ADD CONSTRAINT papers_id_key UNIQUE (id);

ALTER TABLE ONLY papers
    ADD CONSTRAINT papers_pkey PRIMARY KEY (num);

ALTER TABLE ONLY papers
    ADD CONSTRAINT papers_title_key_key UNIQUE (title_key);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_pkey PRIMARY KEY (snapshot_id, paper_num);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_snapshot_id_rank_key UNIQUE (snapshot_id, rank);

ALTER TABLE ONLY snapshots
    ADD CONSTRAINT snapshots_pkey PRIMARY KEY (id);

ALTER TABLE ONLY source_state
    ADD CONSTRAINT source_state_pkey PRIMARY KEY (id);

CREATE INDEX paper_search_doc ON paper_search USING gin (doc);

CREATE INDEX paper_search_key ON paper_search USING btree (search_key);

CREATE INDEX papers_first_seen ON papers USING btree (first_seen, best_rank, id);

CREATE UNIQUE INDEX papers_search_key ON papers USING btree (search_key);

CREATE INDEX ranks_paper ON ranks USING btree (paper_num);

CREATE INDEX snapshots_ingested_at ON snapshots USING btree (ingested_at);

ALTER TABLE ONLY paper_undo
    ADD CONSTRAINT paper_undo_snapshot_id_fkey FOREIGN KEY (snapshot_id) REFERENCES snapshots(id);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_paper_num_fkey FOREIGN KEY (paper_num) REFERENCES papers(num);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_snapshot_id_fkey FOREIGN KEY (snapshot_id) REFERENCES snapshots(id);
