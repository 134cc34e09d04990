CREATE TABLE meta (
    key character varying(64) NOT NULL,
    value bigint NOT NULL
);

CREATE TABLE paper_search (
    num integer NOT NULL,
    title tsvector NOT NULL,
    abstract tsvector NOT NULL,
    authors tsvector NOT NULL,
    keywords tsvector NOT NULL
);

CREATE SEQUENCE paper_search_num_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE paper_search_num_seq OWNED BY paper_search.num;

CREATE TABLE papers (
    num integer NOT NULL,
    id character varying(128) NOT NULL,
    title text NOT NULL,
    title_key text NOT NULL,
    abstract text NOT NULL,
    arxiv_id character varying(32),
    authors text NOT NULL,
    keywords text NOT NULL,
    links text NOT NULL,
    upvotes integer,
    has_code boolean NOT NULL,
    has_project boolean NOT NULL,
    first_seen timestamp without time zone NOT NULL,
    last_seen timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    best_rank integer NOT NULL,
    appearances integer NOT NULL,
    search_key bigint
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
    rank integer NOT NULL
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

ALTER TABLE ONLY paper_search ALTER COLUMN num SET DEFAULT nextval('paper_search_num_seq'::regclass);

ALTER TABLE ONLY papers ALTER COLUMN num SET DEFAULT nextval('papers_num_seq'::regclass);

ALTER TABLE ONLY snapshots ALTER COLUMN id SET DEFAULT nextval('snapshots_id_seq'::regclass);

INSERT INTO meta VALUES ('schema_version', 3);
INSERT INTO meta VALUES ('data_version', 6);

INSERT INTO paper_search VALUES (1, '''forward'':1 ''graph'':4 ''learning'':2 ''networks'':6 ''neural'':5 ''of'':3', '''a'':10 ''achieved'':6 ''across'':9 ''algorithm'':32 ''and'':20 ''answering'':22 ''applications'':14 ''as'':16 ''at'':49 ''backpropagation'':30 ''behind'':23 ''bp'':31 ''code'':48 ''com'':52 ''de'':36 ''deep'':41 ''discovery'':19 ''drug'':18 ''facebookresearch'':53 ''facto'':37 ''for'':39 ''forwardgnn'':54 ''github'':51 ''gnns'':4,27 ''graph'':1 ''have'':5 ''https'':50 ''is'':34 ''lies'':28 ''networks'':3,43 ''neural'':2,42 ''nns'':44 ''of'':13,26 ''our'':47 ''question'':21 ''range'':12 ''recommendation'':17 ''release'':46 ''remarkable'':7 ''standard'':38 ''success'':8,25 ''such'':15 ''the'':24,29,35 ''training'':40 ''we'':45 ''which'':33 ''wide'':11', '', '');
INSERT INTO paper_search VALUES (2, '''all'':3 ''is'':2 ''metamixer'':1 ''need'':5 ''you'':4', '''a'':23 ''across'':17 ''ai'':31 ''all'':30 ''and'':6 ''attention'':5 ''composed'':2 ''design'':16 ''effectively'':34 ''feed'':7 ''ffn'':21 ''forward'':8 ''harness'':35 ''has'':10 ''integrated'':27 ''into'':28 ''is'':22 ''landscape'':13 ''models'':32 ''nearly'':29 ''network'':9,15 ''of'':3,14 ''operator'':25 ''representations'':37 ''revolutionized'':11 ''rich'':36 ''seamlessly'':26 ''self'':4 ''tasks'':20 ''the'':12 ''to'':33 ''transformer'':1 ''various'':18 ''versatile'':24 ''vision'':19', '', '');
INSERT INTO paper_search VALUES (4, '''elastic'':5 ''for'':4 ''inference'':6 ''matformer'':1 ''nested'':2 ''transformer'':3', '''2'':35 ''a'':6,39 ''accelerator'':13 ''are'':3 ''as'':33,38 ''clusters'':14 ''constraints'':22 ''deployed'':4 ''diverse'':20 ''foundation'':30 ''from'':11 ''in'':5,23 ''inference'':21 ''llama'':36 ''mobile'':17 ''models'':2,31,42 ''multi'':12 ''necessitate'':26 ''of'':9,41,43 ''palm'':34 ''phones'':18 ''practitioners'':27 ''range'':8 ''scenarios'':25 ''series'':40 ''settings'':10 ''sizes'':45 ''standalone'':16 ''such'':32 ''the'':19 ''these'':24 ''to'':15,28 ''train'':29 ''transformer'':1 ''varying'':44 ''vits'':37 ''wide'':7', '', '');
INSERT INTO paper_search VALUES (5, '''adaptive'':1 ''as'':4 ''efficient'':5 ''filters'':3 ''frequency'':2 ''global'':6 ''mixers'':8 ''token'':7', '''and'':7 ''attained'':10 ''attention'':48 ''broad'':14 ''challenges'':39 ''cnns'':6 ''computational'':44 ''connected'':54 ''costs'':45 ''deployments'':30 ''devices'':34 ''due'':40 ''effective'':20 ''efficient'':29 ''especially'':31 ''from'':37 ''fully'':53 ''fusion'':22 ''global'':25 ''have'':9 ''heavy'':43 ''however'':27 ''in'':13,23 ''information'':21 ''kernel'':5 ''kernels'':51 ''large'':4,50 ''layers'':55 ''mechanisms'':49 ''mlps'':8 ''mobile'':33 ''noteworthy'':38 ''of'':46 ''on'':32 ''or'':52 ''recent'':1 ''remarkable'':11 ''scope'':26 ''self'':47 ''still'':35 ''successes'':12 ''suffer'':36 ''tasks'':16 ''thanks'':17 ''the'':24,42 ''their'':19,28 ''to'':18,41 ''transformers'':3 ''vision'':2,15', '', '');
INSERT INTO paper_search VALUES (8, '''1'':6 ''a'':1 ''made'':2 ''number'':5 ''on'':7 ''operators'':9 ''paper'':4 ''sparse'':8 ''up'':3', '''1'':6 ''for'':11 ''is'':8 ''it'':7 ''made'':9 ''number'':5 ''operator'':4 ''sparse'':3 ''study'':2 ''tests'':14 ''the'':12 ''up'':10 ''upgrade'':13 ''we'':1', '''01'':2 ''ada'':3 ''author'':1 ''example'':4', '''1'':2 ''topic'':1');
INSERT INTO paper_search VALUES (3, '''domain'':8 ''efficient'':3 ''frequency'':7 ''in'':6 ''learning'':5 ''once'':2 ''operator'':4 ''transform'':1', '''analysis'':2 ''are'':22 ''as'':15 ''basis'':30 ''correlations'':54 ''deep'':37 ''descriptions'':17 ''designed'':40 ''dimensionality'':13 ''domain'':47,60 ''effective'':8 ''efficient'':49 ''fdms'':62 ''few'':26 ''for'':10,48 ''frequency'':46,59 ''functions'':31 ''harness'':42 ''in'':32,45,55 ''information'':11 ''learning'':50 ''long'':52 ''models'':61 ''most'':7 ''naturally'':19 ''networks'':39 ''neural'':38 ''obtained'':24 ''occurring'':20 ''of'':5,18,28,51 ''often'':23 ''one'':4 ''or'':57 ''paradigms'':9 ''periodic'':29 ''preserving'':12 ''provides'':3 ''range'':53 ''reduction'':14 ''signals'':21 ''simple'':16 ''space'':56 ''spectral'':1 ''structure'':44 ''study'':36 ''terms'':27 ''the'':6,43 ''this'':33 ''time'':58 ''to'':41 ''via'':25 ''we'':35 ''work'':34', '''02'':2 ''ada'':3 ''author'':1 ''example'':4', '''2'':2 ''topic'':1');
INSERT INTO paper_search VALUES (9, '''2'':6 ''a'':1 ''made'':2 ''number'':5 ''on'':7 ''operators'':9 ''paper'':4 ''sparse'':8 ''up'':3', '''2'':6 ''for'':11 ''is'':8 ''it'':7 ''made'':9 ''number'':5 ''operator'':4 ''sparse'':3 ''study'':2 ''tests'':14 ''the'':12 ''up'':10 ''upgrade'':13 ''we'':1', '''02'':2 ''ada'':3 ''author'':1 ''example'':4', '''2'':2 ''topic'':1');
INSERT INTO paper_search VALUES (6, '''accurate'':6 ''fine'':3 ''flows'':12 ''for'':10 ''neural'':8 ''of'':5 ''operator'':9 ''refiner'':2 ''spatiotemporal'':7 ''spectral'':1 ''tuning'':4 ''turbulent'':11', '''accuracy'':38 ''achieve'':35 ''advancements'':2 ''always'':34 ''and'':31,43 ''approximating'':13 ''considerable'':28 ''desired'':37 ''differential'':19 ''disciplines'':45 ''engineering'':44 ''entail'':27 ''equations'':20 ''expenses'':30 ''have'':8 ''however'':22 ''in'':3,12,40 ''many'':41 ''may'':32 ''networks'':7,25 ''neural'':6,24 ''not'':33 ''of'':16 ''often'':26 ''operator'':4 ''partial'':18 ''pdes'':21 ''promising'':10 ''recent'':1 ''required'':39 ''results'':11 ''scientific'':42 ''shown'':9 ''solutions'':15 ''spatiotemporal'':17 ''the'':14,36 ''these'':23 ''training'':29 ''type'':5', '''05'':2 ''ada'':3 ''author'':1 ''example'':4', '''5'':2 ''topic'':1');
INSERT INTO paper_search VALUES (10, '''3'':6 ''a'':1 ''made'':2 ''number'':5 ''on'':7 ''operators'':9 ''paper'':4 ''sparse'':8 ''up'':3', '''3'':6 ''for'':11 ''is'':8 ''it'':7 ''made'':9 ''number'':5 ''operator'':4 ''sparse'':3 ''study'':2 ''tests'':14 ''the'':12 ''up'':10 ''upgrade'':13 ''we'':1', '''03'':2 ''ada'':3 ''author'':1 ''example'':4', '''3'':2 ''topic'':1');
INSERT INTO paper_search VALUES (11, '''4'':6 ''a'':1 ''made'':2 ''number'':5 ''on'':7 ''operators'':9 ''paper'':4 ''sparse'':8 ''up'':3', '''4'':6 ''for'':11 ''is'':8 ''it'':7 ''made'':9 ''number'':5 ''operator'':4 ''sparse'':3 ''study'':2 ''tests'':14 ''the'':12 ''up'':10 ''upgrade'':13 ''we'':1', '''04'':2 ''ada'':3 ''author'':1 ''example'':4', '''4'':2 ''topic'':1');
INSERT INTO paper_search VALUES (12, '''attention'':4 ''cross'':3 ''fcaformer'':1 ''forward'':2 ''hybrid'':6 ''in'':5 ''transformer'':8 ''vision'':7', '''a'':8,35 ''adopting'':23 ''aims'':39 ''approach'':37 ''architectures'':47 ''attention'':20,25,29,51 ''based'':46 ''by'':22,48 ''computational'':16 ''contrast'':32 ''cost'':17 ''currently'':1 ''densifying'':49 ''designing'':7 ''different'':36 ''efficient'':10 ''improve'':41 ''in'':6,31 ''is'':13 ''line'':5 ''local'':28 ''main'':3 ''modules'':21 ''more'':9 ''of'':18,44 ''one'':2 ''or'':26 ''pattern'':52 ''performance'':43 ''propose'':34 ''reducing'':14 ''research'':4 ''self'':19 ''sparse'':24 ''that'':38 ''the'':15,42,50 ''to'':40 ''transformer'':12,45 ''using'':27 ''vision'':11 ''we'':33 ''windows'':30', '', '');
INSERT INTO paper_search VALUES (7, '''attention'':7 ''by'':4 ''for'':8 ''multi'':1 ''representations'':3 ''scale'':2 ''segmentation'':10 ''semantic'':9 ''varying'':5 ''window'':6', '''and'':21,31,36 ''are'':38 ''at'':40 ''available'':39 ''canonical'':17 ''central'':5 ''code'':35 ''com'':43 ''effective'':12 ''erf'':15 ''field'':14,32 ''github'':42 ''hao'':45 ''https'':41 ''in'':26 ''inactivation'':33 ''inadequacy'':30 ''is'':4 ''learning'':3,27 ''models'':37 ''multi'':1,18 ''of'':16 ''out'':23 ''point'':22 ''receptive'':13 ''representations'':20 ''risks'':25 ''scale'':2,19,29 ''segmentation'':8 ''semantic'':7 ''the'':11,34 ''them'':28 ''tian'':46 ''to'':6 ''two'':24 ''visualize'':10 ''vw'':47 ''we'':9 ''yan'':44', '''07'':2 ''ada'':3 ''author'':1 ''example'':4', '''7'':2 ''topic'':1');
INSERT INTO paper_search VALUES (13, '''5'':6 ''a'':1 ''made'':2 ''number'':5 ''on'':7 ''operators'':9 ''paper'':4 ''sparse'':8 ''up'':3', '''5'':6 ''for'':11 ''is'':8 ''it'':7 ''made'':9 ''number'':5 ''operator'':4 ''sparse'':3 ''study'':2 ''tests'':14 ''the'':12 ''up'':10 ''upgrade'':13 ''we'':1', '''05'':2 ''ada'':3 ''author'':1 ''example'':4', '''5'':2 ''topic'':1');

INSERT INTO papers VALUES (4, 'matformer-nested-transformer-for-elastic-inference', 'MatFormer: Nested Transformer for Elastic Inference', 'matformer nested transformer for elastic inference', 'Transformer models are deployed in a wide range of settings, from multi-accelerator clusters to standalone mobile phones. The diverse inference constraints in these scenarios necessitate practitioners to train foundation models such as PaLM 2, Llama, & ViTs as a series of models of varying sizes.', NULL, '[]', '[]', '{"code": [], "project": [], "other": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-03-17 00:00:00', '2026-03-17 00:00:00', 4, 1, 1859865124274171);
INSERT INTO papers VALUES (5, 'adaptive-frequency-filters-as-efficient-global-token-mixers', 'Adaptive Frequency Filters As Efficient Global Token Mixers', 'adaptive frequency filters as efficient global token mixers', 'Recent vision transformers, large-kernel CNNs and MLPs have attained remarkable successes in broad vision tasks thanks to their effective information fusion in the global scope. However, their efficient deployments, especially on mobile devices, still suffer from noteworthy challenges due to the heavy computational costs of self-attention mechanisms, large kernels, or fully connected layers.', NULL, '[]', '[]', '{"code": [], "project": [], "other": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-03-17 00:00:00', '2026-03-17 00:00:00', 5, 1, 1859865124274170);
INSERT INTO papers VALUES (1, 'forward-learning-of-graph-neural-networks', 'Forward Learning of Graph Neural Networks', 'forward learning of graph neural networks', 'Graph neural networks (GNNs) have achieved remarkable success across a wide range of applications, such as recommendation, drug discovery, and question answering. Behind the success of GNNs lies the backpropagation (BP) algorithm, which is the de facto standard for training deep neural networks (NNs). We release our code at https://github.com/facebookresearch/forwardgnn.', NULL, '[]', '[]', '{"code": ["https://github.com/facebookresearch/forwardgnn"], "project": [], "other": []}', NULL, true, false, '2026-03-17 00:00:00', '2026-03-18 00:00:00', '2026-03-17 00:00:00', 1, 2, 1859865124274174);
INSERT INTO papers VALUES (3, 'transform-once-efficient-operator-learning-in-frequency-domain', 'Transform Once: Efficient Operator Learning in Frequency Domain', 'transform once efficient operator learning in frequency domain', 'Spectral analysis provides one of the most effective paradigms for information-preserving dimensionality reduction, as simple descriptions of naturally occurring signals are often obtained via few terms of periodic basis functions. In this work, we study deep neural networks designed to harness the structure in frequency domain for efficient learning of long-range correlations in space or time: frequency-domain models (FDMs).', '2603.09902', '["Author 02", "Ada Example"]', '["topic 2"]', '{"code": [], "project": [], "other": []}', 31, false, false, '2026-03-17 00:00:00', '2026-03-19 00:00:00', '2026-12-01 08:51:23.626814', 1, 3, 1859865124274172);
INSERT INTO papers VALUES (6, 'spectral-refiner-fine-tuning-of-accurate-spatiotemporal-neural-operator-for', 'Spectral-Refiner: Fine-Tuning of Accurate Spatiotemporal Neural Operator for Turbulent Flows', 'spectral refiner fine tuning of accurate spatiotemporal neural operator for turbulent flows', 'Recent advancements in operator-type neural networks have shown promising results in approximating the solutions of spatiotemporal Partial Differential Equations (PDEs). However, these neural networks often entail considerable training expenses, and may not always achieve the desired accuracy required in many scientific and engineering disciplines.', '2603.09905', '["Author 05", "Ada Example"]', '["topic 5"]', '{"code": [], "project": [], "other": []}', 7, false, false, '2026-03-18 00:00:00', '2026-03-19 00:00:00', '2026-12-01 08:51:23.626814', 2, 2, 1859955721240569);
INSERT INTO papers VALUES (9, '2603.10002', 'A Made-Up Paper Number 2 on Sparse Operators', 'a made up paper number 2 on sparse operators', 'We study sparse operator number 2. It is made up for the upgrade tests.', '2603.10002', '["Author 02", "Ada Example"]', '["topic 2"]', '{"code": [], "project": ["https://example.github.io/sparse-two"], "other": []}', 25, false, true, '2026-03-11 06:00:00', '2026-03-19 00:00:00', '2026-03-11 06:00:00', 1, 2, 1859344191717366);
INSERT INTO papers VALUES (2, 'metamixer-is-all-you-need', 'MetaMixer Is All You Need', 'metamixer is all you need', 'Transformer, composed of self-attention and Feed-Forward Network, has revolutionized the landscape of network design across various vision tasks. FFN is a versatile operator seamlessly integrated into nearly all AI models to effectively harness rich representations.', NULL, '[]', '[]', '{"code": [], "project": [], "other": []}', NULL, false, false, '2026-03-17 00:00:00', '2026-03-17 00:00:00', '2026-03-17 00:00:00', 1, 2, 1859865124274173);
INSERT INTO papers VALUES (10, '2603.10003', 'A Made-Up Paper Number 3 on Sparse Operators', 'a made up paper number 3 on sparse operators', 'We study sparse operator number 3. It is made up for the upgrade tests.', '2603.10003', '["Author 03", "Ada Example"]', '["topic 3"]', '{"code": [], "project": [], "other": []}', 19, false, false, '2026-03-13 08:30:00', '2026-03-14 00:00:00', '2026-03-13 08:30:00', 2, 2, 1859534822834165);
INSERT INTO papers VALUES (11, '2603.10004', 'A Made-Up Paper Number 4 on Sparse Operators', 'a made up paper number 4 on sparse operators', 'We study sparse operator number 4. It is made up for the upgrade tests.', '2603.10004', '["Author 04", "Ada Example"]', '["topic 4"]', '{"code": [], "project": [], "other": []}', 30, false, false, '2026-03-14 09:15:00', '2026-03-20 00:00:00', '2026-03-14 09:15:00', 1, 2, 1859628250955764);
INSERT INTO papers VALUES (7, 'multi-scale-representations-by-varying-window-attention-for-semantic', 'Multi-Scale Representations by Varying Window Attention for Semantic Segmentation', 'multi scale representations by varying window attention for semantic segmentation', 'Multi-scale learning is central to semantic segmentation. We visualize the effective receptive field (ERF) of canonical multi-scale representations and point out two risks in learning them: scale inadequacy and field inactivation. The code and models are available at https://github.com/yan-hao-tian/vw', '2603.09907', '["Author 07", "Ada Example"]', '["topic 7"]', '{"code": ["https://github.com/yan-hao-tian/vw"], "project": [], "other": []}', 11, true, false, '2026-03-18 00:00:00', '2026-03-20 00:00:00', '2026-12-01 08:51:25.778258', 2, 2, 1859955721240568);
INSERT INTO papers VALUES (8, '2603.10001', 'A Made-Up Paper Number 1 on Sparse Operators', 'a made up paper number 1 on sparse operators', 'We study sparse operator number 1. It is made up for the upgrade tests.', '2603.10001', '["Author 01", "Ada Example"]', '["topic 1"]', '{"code": ["https://github.com/example/sparse-one"], "project": [], "other": []}', 46, true, false, '2026-03-02 02:44:20.973', '2026-03-20 00:00:00', '2026-03-02 02:44:20.973', 1, 3, 1858516508737527);
INSERT INTO papers VALUES (12, 'fcaformer-forward-cross-attention-in-hybrid-vision-transformer', 'Fcaformer: Forward Cross Attention in Hybrid Vision Transformer', 'fcaformer forward cross attention in hybrid vision transformer', 'Currently, one main research line in designing a more efficient vision transformer is reducing the computational cost of self attention modules by adopting sparse attention or using local attention windows. In contrast, we propose a different approach that aims to improve the performance of transformer-based architectures by densifying the attention pattern.', NULL, '[]', '[]', '{"code": [], "project": [], "other": []}', NULL, false, false, '2026-03-10 00:00:00', '2026-03-10 00:00:00', '2026-03-10 00:00:00', 2, 1, 1859230945509363);
INSERT INTO papers VALUES (13, '2603.10005', 'A Made-Up Paper Number 5 on Sparse Operators', 'a made up paper number 5 on sparse operators', 'We study sparse operator number 5. It is made up for the upgrade tests.', '2603.10005', '["Author 05", "Ada Example"]', '["topic 5"]', '{"code": [], "project": [], "other": []}', 9, false, false, '2026-03-20 00:00:00', '2026-03-20 00:00:00', '2026-03-20 00:00:00', 3, 1, 1860136915173362);

INSERT INTO ranks VALUES (1, 1, 1);
INSERT INTO ranks VALUES (1, 2, 2);
INSERT INTO ranks VALUES (1, 3, 3);
INSERT INTO ranks VALUES (1, 4, 4);
INSERT INTO ranks VALUES (1, 5, 5);
INSERT INTO ranks VALUES (2, 3, 1);
INSERT INTO ranks VALUES (2, 6, 2);
INSERT INTO ranks VALUES (2, 1, 3);
INSERT INTO ranks VALUES (2, 7, 4);
INSERT INTO ranks VALUES (3, 8, 1);
INSERT INTO ranks VALUES (3, 3, 2);
INSERT INTO ranks VALUES (3, 9, 3);
INSERT INTO ranks VALUES (3, 6, 4);
INSERT INTO ranks VALUES (4, 9, 1);
INSERT INTO ranks VALUES (4, 10, 2);
INSERT INTO ranks VALUES (4, 8, 3);
INSERT INTO ranks VALUES (4, 11, 4);
INSERT INTO ranks VALUES (5, 2, 1);
INSERT INTO ranks VALUES (5, 12, 2);
INSERT INTO ranks VALUES (5, 10, 3);
INSERT INTO ranks VALUES (6, 11, 1);
INSERT INTO ranks VALUES (6, 7, 2);
INSERT INTO ranks VALUES (6, 13, 3);
INSERT INTO ranks VALUES (6, 8, 4);

INSERT INTO snapshots VALUES (1, '2026-03-17', '2026-12-01 08:51:22.375611', 'capture-0317.txt', 'text', 'a460d610041227c50fe16c0eadfa8b3a73d6ece267b558f5bcedf528f66bb2cb', 5, 5);
INSERT INTO snapshots VALUES (2, '2026-03-18', '2026-12-01 08:51:22.992233', 'capture-0318.txt', 'text', '69b0525d83603c3b75118b3fa78b276cf1ab01084d56905b07bed14dc51380d8', 4, 2);
INSERT INTO snapshots VALUES (3, '2026-03-19', '2026-12-01 08:51:23.626814', 'hf-0319.json', 'hf-json', '1188d60df73e37bb2fb27081967c53154d98ee0f12b280fc92913f508bd35a11', 4, 2);
INSERT INTO snapshots VALUES (4, '2026-03-14', '2026-12-01 08:51:24.515418', 'hf-undated.json', 'hf-json', '444a389c6b78c8194fe404171a12a45088af1aed9738d275bd9a8c8610b2f6d0', 4, 2);
INSERT INTO snapshots VALUES (5, '2026-03-10', '2026-12-01 08:51:25.250953', 'capture-0310.txt', 'text', '2e7ba0a656c90b382e5cdbe0ad953219250bb06b7452f0f43976115ef19272ad', 3, 1);
INSERT INTO snapshots VALUES (6, '2026-03-20', '2026-12-01 08:51:25.778258', 'hf-0320.json', 'hf-json', '4fe62d2cac3003234d13c10bb69804514aa4739d19d3f87c69db46e798e4651d', 4, 1);

SELECT pg_catalog.setval('paper_search_num_seq', 1, false);

SELECT pg_catalog.setval('papers_num_seq', 13, true);

SELECT pg_catalog.setval('snapshots_id_seq', 6, true);

ALTER TABLE ONLY meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);

ALTER TABLE ONLY paper_search
    ADD CONSTRAINT paper_search_pkey PRIMARY KEY (num);

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

CREATE INDEX paper_search_abstract ON paper_search USING gin (abstract);

CREATE INDEX paper_search_authors ON paper_search USING gin (authors);

CREATE INDEX paper_search_keywords ON paper_search USING gin (keywords);

CREATE INDEX paper_search_title ON paper_search USING gin (title);

CREATE INDEX papers_first_seen ON papers USING btree (first_seen, best_rank, id);

CREATE UNIQUE INDEX papers_search_key ON papers USING btree (search_key);

CREATE INDEX ranks_paper ON ranks USING btree (paper_num);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_paper_num_fkey FOREIGN KEY (paper_num) REFERENCES papers(num);

ALTER TABLE ONLY ranks
    ADD CONSTRAINT ranks_snapshot_id_fkey FOREIGN KEY (snapshot_id) REFERENCES snapshots(id);
